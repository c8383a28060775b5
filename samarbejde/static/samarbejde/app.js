// Start DKFDS components; re-run on content that htmx swaps in.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init({ scope: event.detail.target });
    }
  });
  // Forms marked data-autosubmit update their results as the user filters (htmx does the request).
  var errorSummary = document.getElementById("error-summary");
  if (errorSummary) {
    errorSummary.focus();
  }
});
