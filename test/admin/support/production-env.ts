/**
 * Imported first by the production-mode test file: AdminJS reads NODE_ENV and ADMIN_JS_TMP_DIR when it is
 * imported, so both are set before anything imports it.
 */
process.env.NODE_ENV = 'production';
await import('./env.js');
