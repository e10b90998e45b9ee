import path from 'node:path';
import { HOST_ROOT } from '../core/paths.js';

/**
 * Where AdminJS writes the bundle of the custom components. AdminJS reads ADMIN_JS_TMP_DIR once, when it is
 * imported, so this module is imported before it. The folder name must not start with a dot: express's
 * `sendFile` refuses dot folders, which would make the production bundle a 404.
 */
process.env.ADMIN_JS_TMP_DIR ||= path.join(HOST_ROOT, 'adminjs-build');

export const ADMIN_BUILD_DIR: string = process.env.ADMIN_JS_TMP_DIR;
