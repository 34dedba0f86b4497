/** A processor in its own process (the kill test SIGKILLs it part way): `node --import tsx run-upload.ts TENANT ID`. */
import { processUpload } from '../../functions/core/uploads.ts';

const [tenant, id] = process.argv.slice(2);
const out = await processUpload(tenant!, id!);
process.stdout.write(`${out}\n`);
