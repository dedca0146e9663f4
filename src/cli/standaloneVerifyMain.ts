/** Entry point of the standalone verifier bundle (services/standaloneVerifier.ts): runs it on the command line's arguments. */
import { main } from './standaloneVerify.ts';

process.exitCode = main(process.argv.slice(2));
