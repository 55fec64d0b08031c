// Run once by the mongo-init service: a single-node replica set (transactions need one) and a user
// per service database, each allowed to read and write its own database only.
// Passwords come from the compose secrets; a placeholder or a short one is refused.
const fs = require("fs");
function secret(name) {
  const value = fs.readFileSync(`/run/secrets/${name}`, "utf8").trim();
  if (value.length < 16 || /change[-_]?me/i.test(value)) {
    throw new Error(`${name}: a placeholder or shorter than 16 characters (nghedan deploy-secrets)`);
  }
  return value;
}
try {
  rs.status();
} catch (e) {
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
}
for (let i = 0; i < 60 && !db.hello().isWritablePrimary; i++) {
  sleep(1000);
}
for (const service of ["registration", "intake", "notification", "reporting", "office"]) {
  const name = `nghedan_${service}`;
  const target = db.getSiblingDB(name);
  const password = secret(`mongo_${service}_password`);
  if (target.getUser(service)) {
    target.updateUser(service, { pwd: password });
  } else {
    target.createUser({ user: service, pwd: password, roles: [{ role: "readWrite", db: name }] });
  }
  print(`user ${service} on ${name}: ready`);
}
