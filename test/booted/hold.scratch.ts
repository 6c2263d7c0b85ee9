import { Bed } from './harness/bed.ts';
const bed = await Bed.create({ prefix: 'p2pb-z-' });
const c = await bed.boot('n1');
console.log(`ready ${c.initPid} ${bed.ip('n1')} ${bed.lan.hubNs}`);
await new Promise((r) => process.once('SIGUSR1', r));
await bed.destroy();
