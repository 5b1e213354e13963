/**
 * Renders a run's raw results again (after a change to report.mjs or
 * findings.md): node bench/render.mjs <results.json> [RESULTS.md]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderResults } from './report.mjs';

const [input, output] = process.argv.slice(2);
const results = JSON.parse(readFileSync(input, 'utf8'));
const findingsFile = new URL('./findings.md', import.meta.url);
const rendered = renderResults(results, existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : undefined);
if (output) writeFileSync(output, rendered);
else process.stdout.write(rendered);
