import 'server-only';
import { runCli, openMigratedDatabase } from './cli-support';

// npm run db:migrate: applies the committed migrations to the configured database.
runCli(async () => {
  const database = await openMigratedDatabase();
  console.log(`Migrations applied to ${database.describe()}`);
  await database.close();
});
