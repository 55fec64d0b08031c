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

// The check-in's photo of a QR code: made smaller before it leaves (a slow connection carries
// 100 kB, not 4 MB), then sent at once. Without this script the photo is sent as taken.
document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("[data-scan-photo]");
  if (!input) return;
  const form = input.form;
  const longest = 1280;
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, longest / Math.max(bitmap.width, bitmap.height));
      if (scale < 1) {
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.85));
        const smaller = new DataTransfer();
        smaller.items.add(new File([blob], "ma-qr.jpg", { type: "image/jpeg" }));
        input.files = smaller.files;
      }
    } catch (_) { /* a picture the browser cannot open: sent as it is, the office says why */ }
    form.requestSubmit();
  });
});
