import { defineConfig } from "drizzle-kit";

// Migrations are generated from db/schema and committed; they are applied at start by
// db/migrate.ts (never by `drizzle-kit push` outside a throwaway database).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
});
