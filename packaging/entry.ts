/**
 * Entry point of the bundled CLI shipped in the Debian package (packaging/build-deb.sh).
 * bin/p2p-update does the same from the TypeScript sources through tsx.
 */
import { main } from '../admin-tools/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
