import pkg from '../../package.json' with { type: 'json' };

/** The app's version, from package.json (bundled at build time, read at run time under tsx). */
export const appVersion: string = pkg.version;
