import { closeDatabase, getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { DEMO_PASSWORD, seedDemo, seedDemoHistory } from "@/db/seed";

// Demo data is only ever created on request: `npm run db:seed -- --demo`.
if (!process.argv.includes("--demo")) {
  console.error(
    "Nothing to seed. Demo data is created only when asked for: npm run db:seed -- --demo\n" +
      "To create a real account: npm run user:create -- --email you@company.com --role admin",
  );
  process.exit(2);
}
await migrateDatabase();
const { created } = await seedDemo(getDatabase());
console.log(
  created.length
    ? `Demo users created (password ${DEMO_PASSWORD}): ${created.join(", ")}`
    : "Demo users already exist.",
);
console.log("Backfilling a few days of demo history (once per database)…");
await seedDemoHistory(getDatabase());
await closeDatabase();
console.log("Demo data ready.");
