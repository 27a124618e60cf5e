// htmx swaps in no answer that failed (a 403, a 500, a 503 while the database
// restarts) and says nothing when the portal cannot be reached: a button pressed
// in a row would seem to do nothing. Say it on top of whatever is in view: the
// portal's reason when its error page gives one (#error-reason), else that the
// portal could not be reached, or that nothing was done. The words are the base
// template's (#request-alerts), translated there.
(() => {
  const box = document.getElementById("request-alerts");
  if (!box) {
    return;
  }

  const show = (text) => {
    const alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show shadow";
    alert.setAttribute("role", "alert");
    const reason = document.createElement("span");
    reason.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.dataset.bsDismiss = "alert";
    close.setAttribute("aria-label", box.dataset.close);
    alert.append(reason, close);
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
      show(box.dataset.unreachable);
    } else {
      show(reasonOf(xhr) || box.dataset.refused);
    }
  });
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.body.addEventListener(name, () => show(box.dataset.unreachable));
  }
})();
