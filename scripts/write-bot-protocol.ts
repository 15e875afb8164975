// Writes docs/bot-protocol.yaml from the protocol's zod schemas (run after changing src/shared/botProtocol.ts).
import { writeFileSync } from 'node:fs';
import { botProtocolYaml } from '../src/shared/botProtocolOpenApi.ts';

writeFileSync(new URL('../docs/bot-protocol.yaml', import.meta.url), botProtocolYaml());
