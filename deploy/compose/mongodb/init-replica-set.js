// Run once by the mongodb-init service: make the single mongod a one-member replica set (rs0),
// which MongoDB needs for transactions and change streams and which `w=majority` expects. A
// second run finds it initiated and does nothing.
try {
  rs.status();
  print("replica set already initiated");
} catch (e) {
  if (e.codeName !== "NotYetInitialized") { throw e; }
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongodb:27017" }] });
  print("replica set rs0 initiated");
}
