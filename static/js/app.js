/* etelecom-admin: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Copy-to-clipboard buttons (hidden until we know the browser can copy).
  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.firstChild;
      var original = label.textContent;
      label.textContent = button.dataset.copied || "Copied";
      button.classList.add("copied");
      setTimeout(function () {
        label.textContent = original;
        button.classList.remove("copied");
      }, 1600);
    });
  });

  // Selects that act at once (language): submit their form on change.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  // Forms that come back to "this page": the address may have changed since the page loaded
  // (htmx keeps it in step with the filters), so send the current one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-next-current], .language-switcher")) return;
    var next = form.querySelector("input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });

  // "/" jumps to the search box, as on many sites, unless one is typing already.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    var search = document.getElementById("id_q") || document.getElementById("home-q");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // After an htmx swap (the list's focus and scrolling after a swap live in list.js).
  document.addEventListener("htmx:afterSettle", function (event) {
    showCopyButtons(event.target);
  });

  // Menus (<details class="menu">: Columns, Export) open over the table, so they close as soon as
  // they are done with: on a click or focus outside them (opening one closes the other), on Escape
  // (the focus goes back to their button), and once their form is sent (Save, an export).
  function closeMenu(menu, refocus) {
    menu.open = false;
    var button = menu.querySelector("summary");
    if (refocus && button) button.focus();
  }

  // From inside the menu (or from nowhere, after a click on its panel) the focus returns to its
  // button; from elsewhere it stays where it is.
  function focusIsIn(menu) {
    var active = document.activeElement;
    return !active || active === document.body || menu.contains(active);
  }

  function closeMenusOutside(target) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!(target instanceof Node) || !menu.contains(target)) closeMenu(menu, false);
    });
  }

  document.addEventListener("click", function (event) {
    closeMenusOutside(event.target);
  });
  document.addEventListener("focusin", function (event) {
    closeMenusOutside(event.target);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      var refocus = focusIsIn(menu);
      if (refocus) event.preventDefault();
      closeMenu(menu, refocus);
    });
  });

  // The browser builds what it sends after this event, from the controls of a closed <details>
  // too: closing the menu now does not change the request.
  document.addEventListener("submit", function (event) {
    var menu = event.target.closest && event.target.closest("details.menu");
    if (menu && menu.open) closeMenu(menu, focusIsIn(menu));
  });

  // Popovers (the phone's Menu and Filters panels) open and close without script; this keeps their
  // buttons' aria-expanded true to them, gives the focus back to the Filters button (htmx may have
  // swapped it while its panel was open), and keeps the panel open across a swap of the whole form.
  var POPOVERS = typeof HTMLElement.prototype.showPopover === "function"; // else CSS shows them inline

  function isOpen(panel) {
    return POPOVERS && !!panel && panel.matches(":popover-open");
  }

  function invokers(panel) {
    return document.querySelectorAll('[popovertarget="' + panel.id + '"]:not([popovertargetaction="hide"])');
  }

  function syncExpanded() {
    if (!POPOVERS) return;
    document.querySelectorAll("[popover][id]").forEach(function (panel) {
      var open = isOpen(panel);
      invokers(panel).forEach(function (button) {
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  }

  document.addEventListener("toggle", function (event) {
    var panel = event.target;
    if (!panel.matches || !panel.matches("[popover][id]")) return;
    syncExpanded();
    var active = document.activeElement;
    if (event.newState === "closed" && (!active || active === document.body || panel.contains(active))) {
      var button = Array.prototype.filter.call(invokers(panel), function (b) { return b.offsetParent; })[0];
      if (button) button.focus();
    }
  }, true); // "toggle" does not bubble

  var reopenFilters = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var filters = document.getElementById("filters");
    if (event.detail.target && event.detail.target.id === "filter-form") {
      reopenFilters = isOpen(filters);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var filters = document.getElementById("filters");
    if (reopenFilters && event.target.id === "filter-form" && filters && POPOVERS) {
      reopenFilters = false;
      filters.showPopover();
      var reset = filters.querySelector(".filters-head a");
      if (reset) reset.focus(); // Reset was pressed there: the focus stays in the panel
    }
    syncExpanded();
  });
  document.addEventListener("htmx:historyRestore", syncExpanded);

  // Apply in the open panel: the filters apply (htmx, or a plain submit) and the panel gets out of
  // the way of the results.
  document.addEventListener("submit", function (event) {
    var filters = document.getElementById("filters");
    if (event.target.id === "filter-form" && isOpen(filters)) {
      filters.hidePopover();
    }
  });

  // Past the phone width the panels are not panels any more: close an open one.
  if (window.matchMedia) {
    var phone = window.matchMedia("(max-width: 820px)");
    var onChange = function () {
      if (phone.matches) return;
      document.querySelectorAll("[popover]").forEach(function (panel) {
        if (isOpen(panel)) panel.hidePopover();
      });
    };
    if (phone.addEventListener) phone.addEventListener("change", onChange);
  }

  document.addEventListener("DOMContentLoaded", function () {
    showCopyButtons(document);
    syncExpanded();
  });
})();
