// Times brackets-manager.js on the cases bench/brackets.py times for our engine and prints one
// JSON line per case: {"engine", "op", "format", "n", "seconds", "repeat", "matches"}.
// Run by `python bench/brackets.py --compare`, which installs package.json's dependencies into
// a temporary folder and runs this file there with `node --expose-gc`.
//
// usage: node --expose-gc bench.js --sizes 8 16 ... --formats single_elimination ... --repeat 3
'use strict';

const { BracketsManager } = require('brackets-manager');
const { InMemoryDatabase } = require('brackets-memory-db');

const READY = 2; // brackets-model Status.Ready

function parseArgs(argv) {
  const args = { sizes: [8, 64, 1024], formats: ['single_elimination', 'double_elimination'], repeat: 3 };
  let key = null;
  for (const token of argv) {
    if (token.startsWith('--')) {
      key = token.slice(2);
      if (key === 'sizes' || key === 'formats') args[key] = [];
    } else if (key === 'sizes') {
      args.sizes.push(Number(token));
    } else if (key === 'formats') {
      args.formats.push(token);
    } else if (key === 'repeat') {
      args.repeat = Number(token);
    }
  }
  return args;
}

const GROUP_SIZE = 8; // round robin: groups of 8, as bench/brackets.py asks our engine for

// Same stage as ours: seeds 1..n in order, bracket size the next power of two (the missing
// seeds are BYEs, so the top seeds get them), grand final with reset, no third-place match.
// Round robin: ceil(n / 8) groups of sizes differing by at most one, seeds dealt in snake
// order ('groups.seed_optimized'), single round robin.
async function generate(format, n) {
  const storage = new InMemoryDatabase();
  const manager = new BracketsManager(storage);
  let settings;
  if (format === 'round_robin') {
    settings = { groupCount: Math.ceil(n / GROUP_SIZE), seedOrdering: ['groups.seed_optimized'] };
  } else {
    settings = { size: 2 ** Math.ceil(Math.log2(n)) };
  }
  if (format === 'double_elimination') settings.grandFinal = 'double';
  const seeding = Array.from({ length: n }, (_, i) => `p${i + 1}`);
  await manager.create.stage({ tournamentId: 0, name: 'bench', type: format, seeding, settings });
  return { storage, manager };
}

// Every ready match in storage order (a valid order of play), opponent1 winning, as ours does
// with slot 1. Returns the number of results applied.
async function play({ storage, manager }) {
  const matches = await storage.select('match');
  let results = 0;
  for (const { id } of matches) {
    const match = await storage.select('match', id);
    if (match.status !== READY) continue;
    await manager.update.match({ id, opponent1: { score: 1, result: 'win' }, opponent2: { score: 0 } });
    results += 1;
  }
  return results;
}

function collect() {
  if (global.gc) global.gc();
}

async function timed(fn) {
  collect();
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, value];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await play(await generate('double_elimination', 64)); // warm the JIT once
  for (const n of args.sizes) {
    for (const format of args.formats) {
      let generateBest = Infinity;
      let playBest = Infinity;
      let matches = 0;
      let results = 0;
      for (let r = 0; r < args.repeat; r += 1) {
        const [genSeconds, stage] = await timed(() => generate(format, n));
        generateBest = Math.min(generateBest, genSeconds);
        matches = (await stage.storage.select('match')).length;
        const [playSeconds, applied] = await timed(() => play(stage));
        playBest = Math.min(playBest, playSeconds);
        results = applied;
      }
      const base = { engine: 'brackets-manager', format, n, repeat: args.repeat };
      console.log(JSON.stringify({ ...base, op: 'generate', seconds: generateBest, matches }));
      console.log(JSON.stringify({ ...base, op: 'play', seconds: playBest, matches: results }));
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
