// Every page: where focus starts, and the menu at a phone's width.
(function () {
  "use strict";

  // Focus goes to what the page is about after an action: an error summary, a message, or
  // results. A field with `autofocus` (a form's first field) keeps focus unless an error
  // summary needs it first.
  // A form whose only errors are under its fields: the first such field takes focus.
  var summary = document.querySelector(".error[data-focus-on-load]") || firstInvalidField();
  var target = summary || (document.activeElement === document.body || document.activeElement === null
    ? document.querySelector("[data-focus-on-load]") : null);
  if (target) target.focus();

  function firstInvalidField() {
    var error = document.querySelector(".field .field-error");
    var field = error && error.closest(".field");
    return field ? field.querySelector("input:not([type=hidden]), select, textarea") : null;
  }

  // The menu: a button shows and hides the navigation when the screen is narrow.
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  toggle.hidden = false;
  document.documentElement.classList.add("has-menu");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      toggle.click();
      toggle.focus();
    }
  });
})();
