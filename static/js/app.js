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

  // After htmx swapped the results, a removed chip may have held the focus: keep it in the list.
  document.addEventListener("htmx:afterSettle", function (event) {
    showCopyButtons(event.target);
    if (document.activeElement === document.body) {
      var count = document.getElementById("result-count");
      if (count) {
        count.setAttribute("tabindex", "-1");
        count.focus({ preventScroll: true });
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    showCopyButtons(document);
  });
})();
