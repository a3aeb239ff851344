/* The hotline list, with htmx: the form always shows what the address asks for. The page works
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
    if (event.target.id === "id_q") event.stopPropagation();
  }, true);

  // After a swap, the form shows what the answer was for (the server may have dropped an unusable
  // value); the control in use keeps what the person is typing. Only the newest request's answer:
  // an older one's must not undo a tick made since.
  var latest = null;

  function isListRequest(detail) {
    var target = detail && detail.target;
    return !!(detail && detail.requestConfig && target && LIST_TARGETS.indexOf(target.id) !== -1);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isListRequest(event.detail)) latest = event.detail.xhr;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    if (LIST_TARGETS.indexOf(event.target.id) === -1 || !isListRequest(detail)) return;
    if (detail.xhr === latest) syncFormFromAddress(document.activeElement);
  });
})();
