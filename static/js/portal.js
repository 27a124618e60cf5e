// htmx swaps in no answer that failed (a 403, a 500, a 503 while the database
// restarts) and says nothing when the portal cannot be reached: a button pressed
// in a row would seem to do nothing. Say it on top of whatever is in view: the
// portal's reason when its error page gives one (#error-reason), else that the
// portal could not be reached, or that nothing was done.
(() => {
  const template = document.getElementById("request-failed");
  const box = document.getElementById("request-alerts");
  if (!template || !box) {
    return;
  }

  const show = (text) => {
    const alert = template.content.firstElementChild.cloneNode(true);
    alert.querySelector(".request-failed-reason").textContent = text;
    box.replaceChildren(alert); // the latest only
  };

  const reasonOf = (xhr) => {
    if (!(xhr.getResponseHeader("Content-Type") || "").startsWith("text/html")) {
      return "";
    }
    const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const why = page.getElementById("error-reason");
    return why ? why.textContent.trim() : "";
  };

  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status >= 500) {
      show(template.dataset.unreachable);
    } else {
      show(reasonOf(xhr) || template.dataset.refused);
    }
  });
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.body.addEventListener(name, () => show(template.dataset.unreachable));
  }
})();
