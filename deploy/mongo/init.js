// Run once by the mongo-init service: a single-node replica set (transactions need one) and a user
// per service database, each allowed to read and write its own database only.
const env = process.env;
try {
  rs.status();
} catch (e) {
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
}
for (let i = 0; i < 60 && !db.hello().isWritablePrimary; i++) {
  sleep(1000);
}
for (const service of ["registration", "intake", "notification", "reporting"]) {
  const name = `nghedan_${service}`;
  const target = db.getSiblingDB(name);
  const password = env[`MONGO_${service.toUpperCase()}_PASSWORD`];
  if (target.getUser(service)) {
    target.updateUser(service, { pwd: password });
  } else {
    target.createUser({ user: service, pwd: password, roles: [{ role: "readWrite", db: name }] });
  }
  print(`user ${service} on ${name}: ready`);
}
