/**
 * Prints p2p-update(1) for the package (build-deb.sh), generated from the command
 * definitions; dated from SOURCE_DATE_EPOCH so that a rebuild is byte-identical.
 */
import { manPage } from '../admin-tools/cli/man-page.ts';
import { buildProgram } from '../admin-tools/cli/program.ts';
import { packageVersion } from '../agent/lib/common/version.ts';

const epoch = Number(process.env['SOURCE_DATE_EPOCH'] ?? Math.floor(Date.now() / 1000));
const date = new Date(epoch * 1000).toLocaleDateString('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
process.stdout.write(manPage(buildProgram({ exit: () => undefined }), { date, version: packageVersion() }));
