// Runs deploy/mongo/init.js as mongosh would, against a recording stand-in of mongosh's globals
// (rs, db, sleep, print, require("fs")): MongoDB's own shell and server cannot be had here.
// Usage: node init_js_harness.js <init.js> <state.json>; prints the calls it recorded as JSON.
"use strict";
const fs = require("fs");
const vm = require("vm");
const [script, statePath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
const calls = [];
let hellos = 0;
const users = state.users || {};
const sandbox = {
  print: (...args) => calls.push(["print", args.join(" ")]),
  sleep: (ms) => calls.push(["sleep", ms]),
  require: (name) => {
    if (name !== "fs") throw new Error(`require(${name}) is not mongosh's`);
    return {
      readFileSync: (path) => {
        const name = path.replace("/run/secrets/", "");
        if (!(name in state.secrets)) throw new Error(`ENOENT: ${path}`);
        return state.secrets[name];
      },
    };
  },
  rs: {
    status: () => {
      if (!state.initiated) throw new Error("no replset config has been received");
      return { ok: 1 };
    },
    initiate: (config) => calls.push(["rs.initiate", config]),
  },
  db: {
    hello: () => ({ isWritablePrimary: ++hellos >= (state.primaryAfter || 1) }),
    getSiblingDB: (name) => ({
      getUser: (user) => (users[`${name}.${user}`] ? { user } : null),
      createUser: (spec) => calls.push(["createUser", name, spec]),
      updateUser: (user, spec) => calls.push(["updateUser", name, user, spec]),
    }),
  },
};
try {
  vm.runInNewContext(fs.readFileSync(script, "utf8"), sandbox, { filename: script });
  console.log(JSON.stringify({ ok: true, calls }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e.message || e), calls }));
}
