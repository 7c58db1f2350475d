/** Product identity, shared by the extension, the CLI and the registry client's User-Agent. */
export const PRODUCT_NAME = 'Registry Lens';

/** Set by esbuild.mjs from package.json at build time (bundles and the test transpile alike). */
export const PRODUCT_VERSION: string = process.env.REGISTRY_LENS_VERSION ?? '0.0.0-dev';

/** The User-Agent every registry request carries, so registry operators can tell who is calling. */
export const USER_AGENT = `registry-lens/${PRODUCT_VERSION} node/${process.versions.node}`;
