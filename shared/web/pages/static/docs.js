"use strict";
// Starts Swagger UI on /docs from this service's own copy (no CDN, no validator badge), and
// names the few controls Swagger UI leaves without an accessible name.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: false,
    validatorUrl: null,
    syntaxHighlight: { activated: false },
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
  });
  const name = () => {
    for (const button of root.querySelectorAll("button.close-modal:not([aria-label])")) {
      button.setAttribute("aria-label", "Close");
    }
    for (const button of root.querySelectorAll("button.modal-btn[aria-label]")) {
      button.removeAttribute("aria-label");  // its visible text (Authorize, Logout) is its name
    }
  };
  new MutationObserver(name).observe(root, { childList: true, subtree: true });
});
