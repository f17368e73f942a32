// Preloaded into a CLI child (`node --import`): records every module the process loads, one URL or path a
// line, in $DW_LOADED_MODULES_FILE: ES modules as the loader resolves them (a resolve hook, which runs on
// the loader's own thread and appends as it goes) and, on exit, the CommonJS modules in require's cache.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.DW_LOADED_MODULES_FILE;
if (file) {
  register('./loaded-modules-hooks.mjs', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const paths = Object.keys(require.cache);
    if (paths.length > 0) appendFileSync(file, `${paths.join('\n')}\n`);
  });
}
