// Swagger UI over the gateway's own document. "Try it out" is on: requests go to this origin
// with the bearer token entered under "Authorize".
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
  // Tags start collapsed and the schema list is hidden: rendering all ~110 operations and their
  // models at once took Swagger UI tens of seconds on a phone-class CPU.
  docExpansion: "none",
  defaultModelsExpandDepth: -1,
  persistAuthorization: false,
  validatorUrl: null,
});
