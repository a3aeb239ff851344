/* The hotline list, with htmx: the form always shows what the address asks for, the results come
   into view when they change, and the focus stays where a keyboard user expects it. The page works
   without this file (plain form and links). Loaded on the list page only. */
(function () {
  "use strict";

  var LIST_TARGETS = ["results", "filter-form"]; // what htmx swaps on this page (see views/hotlines.py)

  // --- The form follows the address ---------------------------------------------------------
  // htmx's history snapshots keep the HTML attributes, not what was ticked or typed since the page
  // loaded, and a browser may restore the state of an older visit on reload: after Back, Forward or a
  // reload the boxes could disagree with the results, and the next tick drop the other filters. So
  // the controls are set from the address (ticked if their name=value is there, unticked if not):
  // in each snapshot as it is stored, and on the page after every restore, reload and swap.
  function chosenOption(select, values) {
    var options = Array.prototype.slice.call(select.options);
    var chosen = options.filter(function (option) { return values.length && option.value === values[0]; })[0];
    // Absent from the address: the empty choice ("Any"), or else the one the server rendered (the
    // saved number of rows per page, which links do not repeat).
    chosen = chosen || options.filter(function (option) { return option.value === ""; })[0];
    return chosen || options.filter(function (option) { return option.defaultSelected; })[0];
  }

  // Each control of the list form and the values the address holds for it (none for the hidden
  // sort, rendered with the results it belongs to, nor for buttons).
  function eachControl(form, params, keep, apply) {
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (control) {
      if (control === keep || /^(hidden|submit|button|reset|image|file)$/.test(control.type)) return;
      if (control.hasAttribute("data-not-in-address")) return; // the tenant picker's search box
      apply(control, params.getAll(control.name));
    });
  }

  function syncFormFromAddress(keep) {
    var form = document.getElementById("filter-form");
    if (!form) return;
    eachControl(form, new URLSearchParams(window.location.search), keep, function (control, values) {
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = values.indexOf(control.value) !== -1;
      } else if (control.tagName === "SELECT") {
        var chosen = control.multiple ? null : chosenOption(control, values);
        Array.prototype.forEach.call(control.options, function (option) {
          option.selected = control.multiple ? values.indexOf(option.value) !== -1 : option === chosen;
        });
      } else if (control.value !== (values[0] || "")) {
        control.value = values[0] || "";
      }
    });
  }

  // The same in a snapshot's HTML, as attributes: restored, the page starts in the right state, and
  // htmx's "changed" memory of the search box starts from the right text.
  document.addEventListener("htmx:historyItemCreated", function (event) {
    var item = event.detail.item;
    var template = document.createElement("template");
    template.innerHTML = item.content; // inert: nothing in it runs or loads
    var form = template.content.querySelector("#filter-form");
    if (!form) return;
    var params = new URL(item.url, window.location.href).searchParams;
    eachControl(form, params, null, function (control, values) {
      if (control.type === "checkbox" || control.type === "radio") {
        control.toggleAttribute("checked", values.indexOf(control.value) !== -1);
      } else if (control.tagName === "SELECT") {
        var chosen = control.multiple ? null : chosenOption(control, values);
        Array.prototype.forEach.call(control.options, function (option) {
          var on = control.multiple ? values.indexOf(option.value) !== -1 : option === chosen;
          option.toggleAttribute("selected", on);
        });
      } else {
        control.setAttribute("value", values[0] || "");
      }
    });
    template.content.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
    item.content = template.innerHTML;
  });

  // A snapshot may also hold a menu that was open when it was taken.
  function closeMenus() {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.open = false;
    });
  }

  document.addEventListener("htmx:historyRestore", function () {
    syncFormFromAddress(null);
    closeMenus();
  });
  window.addEventListener("popstate", function () { syncFormFromAddress(null); });
  document.addEventListener("DOMContentLoaded", function () { syncFormFromAddress(null); });
  window.addEventListener("pageshow", function (event) {
    syncFormFromAddress(null); // after the browser restored the form state of an earlier visit
    if (event.persisted) closeMenus(); // back from the page an export or a link led to
  });

  // The search box asks on its own as one types; its "change" when it loses the focus would reach
  // the form and ask again, aborting the request of the filter that was just clicked.
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_q" || event.target.id === "id_tenant_search") event.stopPropagation();
  }, true);

  // The tenant picker's search box asks for its options only: Enter there looks tenants up
  // instead of sending the whole form (which is what it does without script).
  document.addEventListener("keydown", function (event) {
    if (event.target.id !== "id_tenant_search" || event.key !== "Enter" || !window.htmx) return;
    event.preventDefault();
    window.htmx.trigger(event.target, "search");
  });

  // --- Rows per page: remembered through its own POST ---------------------------------------
  // The list's GET never writes. A new page size comes in through htmx like any filter (the select
  // belongs to #per-page-form, and the list form includes it); once that answer is in, the choice
  // is saved in the background, so the address keeps the per_page the answer was for, as a link.
  var perPageChosen = false;

  document.addEventListener("change", function (event) {
    if (event.target.id === "id_per_page") perPageChosen = true;
  });

  function rememberPerPage() {
    var form = document.getElementById("per-page-form");
    if (!form) return;
    // The answer is a redirect to the list: not followed, nothing in it is needed.
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual" });
  }

  // --- After the results changed: view, focus, announcement ----------------------------------
  var latest = null; // the newest list request: an older one's answer must not move anything
  var focused = null; // what had the focus when the answer arrived

  function isListRequest(detail) {
    var target = detail && detail.target;
    return !!(detail && detail.requestConfig && target && LIST_TARGETS.indexOf(target.id) !== -1);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isListRequest(event.detail)) latest = event.detail.xhr;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!perPageChosen || !isListRequest(event.detail) || !event.detail.successful) return;
    perPageChosen = false;
    rememberPerPage();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isListRequest(event.detail)) focused = document.activeElement;
  });

  // A pending count's exact figures arriving after its results were replaced (another filter, page
  // or sort) belong to a list no longer shown: dropped, facet counts and page links with them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute("data-count-pending") && !document.body.contains(elt)) event.detail.shouldSwap = false;
  });

  function isOutOfView(element) {
    var top = element.getBoundingClientRect().top;
    return top < 0 || top > window.innerHeight - 48;
  }

  function announce(text) {
    var status = document.getElementById("list-status");
    if (status) status.textContent = text.replace(/\s+/g, " ").trim();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    if (LIST_TARGETS.indexOf(event.target.id) === -1 || !isListRequest(detail)) return;
    if (detail.xhr !== latest) return; // a newer request is on its way; its answer will do this
    var results = document.getElementById("results");
    var count = document.getElementById("result-count");
    var pageOf = document.querySelector("#results .page-of");
    if (!results || !count) return;

    // Focus: the control the person used if it is still there (a filter box, the rows per page,
    // swapped for its twin); else, after a page or sort link went away with the old results, the
    // count, which heads the new ones.
    var active = document.activeElement;
    var countFocused = false;
    if (!active || active === document.body) {
      var twin = focused && focused.id && document.getElementById(focused.id);
      if (twin && twin.matches("input, select, textarea, button") && !twin.closest("details:not([open])")) {
        twin.focus({ preventScroll: true });
      } else {
        count.focus({ preventScroll: true });
        countFocused = true;
      }
    }
    focused = null;

    // The form shows what the answer was for (the server may have dropped an unusable value); the
    // control in use keeps what the person is typing.
    syncFormFromAddress(document.activeElement);

    // The results' top comes into view (paging from the foot of a page, a filter ticked far below
    // them on a phone); not while someone types a search, which would yank the box away.
    var source = detail.requestConfig.elt;
    if (!(source && source.id === "id_q") && isOutOfView(results)) {
      results.scrollIntoView({ block: "start" });
    }

    // Screen readers: the focused count is read as it is; the page number, or the count when the
    // focus stayed on a filter, comes from a live region that htmx never replaces.
    var page = pageOf ? pageOf.textContent : "";
    announce(countFocused ? page : count.textContent + (page ? ". " + page : ""));
  });
})();
