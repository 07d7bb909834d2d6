// Where the API is. Empty: this page's own origin (the platform serves the portal at /).
// To host the portal elsewhere, set the platform's address here, e.g.
//   window.PORTAL_CONFIG = { apiBase: "https://xqhz.weihai.gov.cn" };
// and list this site's origin in the platform's CORS_ALLOW_ORIGINS.
window.PORTAL_CONFIG = { apiBase: "" };
