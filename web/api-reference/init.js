// Swagger UI over the gateway's own document. "Try it out" is on: requests go to this origin
// with the bearer token entered under "Authorize".
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: false,
  validatorUrl: null,
});
