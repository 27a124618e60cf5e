// A queue's "select all": ticks or unticks every order of the page, and follows
// the rows when they are ticked one by one.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches("[data-select-all]")) {
    const form = document.getElementById(box.dataset.selectAll);
    form.querySelectorAll('input[name="steps"]').forEach((row) => {
      row.checked = box.checked;
    });
    return;
  }
  if (box.matches('input[name="steps"]')) {
    const form = box.form;
    const all = form.querySelector("[data-select-all]");
    const rows = [...form.querySelectorAll('input[name="steps"]')];
    all.checked = rows.every((row) => row.checked);
    all.indeterminate = !all.checked && rows.some((row) => row.checked);
  }
});
