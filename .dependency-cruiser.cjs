// Import cycles fail `npm run lint`. `import type` counts too (tsPreCompilationDeps): a type-only import
// vanishes at run time, but it still ties the two modules' designs together, and the module graph should
// read one way.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other, directly or through others: move the shared part into a module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import this check cannot follow would hide the cycles behind it.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(web/build|web/\\.cache|\\.data|test/artifacts|bench/out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The code imports `./x.js` for `./x.ts`, as TypeScript's Bundler resolution allows.
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
    },
  },
};
