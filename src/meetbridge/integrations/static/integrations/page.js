// The Integrations page: keeps the status panel current and copies Step 2's values.
(function () {
  "use strict";

  var panel = document.getElementById("integration-status");
  if (panel) {
    var shown = panel.innerHTML.trim();
    var stateOf = function () {
      var marker = panel.querySelector("[data-state]");
      return marker ? marker.dataset.state : "";
    };
    var schedule = function () {
      // Quick while a check runs; slower otherwise, since a failure can heal by itself.
      window.setTimeout(poll, stateOf() === "pending" ? 2000 : 15000);
    };
    var poll = function () {
      fetch(panel.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          // Replaced only on change, so screen readers announce news, not every poll.
          if (html.trim() !== shown) {
            panel.innerHTML = html;
            shown = html.trim();
            // "Key saved, checking now" and the like spoke of the moment before this news.
            var messages = document.querySelector(".messages");
            if (messages) { messages.remove(); }
          }
        })
        .catch(function () { /* offline or signed out: try again later */ })
        .then(schedule);
    };
    schedule();
  }

  var feedback = document.getElementById("copy-feedback");
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var text = source ? source.textContent.trim() : "";
      var done = function (message) {
        button.textContent = message ? "Copied" : "Copy";
        if (feedback) { feedback.textContent = message || "Select the text and copy it."; }
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { done(button.dataset.label + " copied."); },
          function () { done(""); }
        );
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        done(copied ? button.dataset.label + " copied." : "");
      }
    });
  });
})();

// A form that asks before it does something that cannot be undone (no inline handlers: the
// Content-Security-Policy allows only scripts served from this site).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches("form[data-confirm]:not([data-busy-text])") && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
