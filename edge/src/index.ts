/** The Worker's entry point (wrangler.toml `main`). */
import { createApp } from './app.js';

export default createApp();
export { VisitorDO } from './visitor/visitor-do.js';
