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

// The check-in page's count of present delegates, read again every 5 seconds.
document.addEventListener("DOMContentLoaded", () => {
  const count = document.querySelector("[data-count-url]");
  if (!count) return;
  const strong = count.querySelector("strong");
  setInterval(async () => {
    try {
      const answer = await fetch(count.dataset.countUrl, { credentials: "same-origin" });
      if (!answer.ok) return;
      const figures = await answer.json();
      strong.textContent = figures.present;
      count.lastChild.textContent = ` / ${figures.expected} đại biểu`;
    } catch (_) { /* offline for a moment: the next read says it */ }
  }, 5000);
});
