// A "copy" button next to a link people would otherwise retype (a tablet's kiosk link).  The
// button only appears where the clipboard can be written; without it the link is plain,
// selectable text.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute("data-done");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
}());
