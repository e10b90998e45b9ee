import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Imported first by every back-office test file: each test process bundles the components into its own
 * folder (AdminJS reads ADMIN_JS_TMP_DIR when it is imported), so parallel files never share a half-written
 * bundle.
 */
process.env.ADMIN_JS_TMP_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-adminjs-'));
