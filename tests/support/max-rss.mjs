// Preloaded into a CLI child (`node --import`): on exit, writes the process's peak resident set size
// (KiB, from process.resourceUsage) to $DW_MAX_RSS_FILE, so a test can bound memory that a V8 heap
// limit does not cover (Buffers live outside the heap).
import { writeFileSync } from 'node:fs';

const file = process.env.DW_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
