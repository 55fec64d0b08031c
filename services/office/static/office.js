// Enhancements only: every page works without this script.
"use strict";
document.documentElement.classList.add("scripted");
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
  const outcome = document.getElementById("ket-qua");
  if (outcome && outcome.getAttribute("role") === "alert") outcome.focus();
});
