// Live status for forms that wait on the calendar: say what is happening, and never send twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-busy-text]")) return;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  var button = form.querySelector("button[type=submit]");
  if (button) button.setAttribute("aria-disabled", "true");
  var status = form.querySelector(".busy");
  if (status) status.textContent = form.dataset.busyText;
});
