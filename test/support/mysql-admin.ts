/** Administrative access to the test MySQL server: create and drop the run's databases. */
import mysql from 'mysql2/promise';
import { parseDatabaseUrl, replaceDatabaseName } from '../../src/domain/database-url';
import { testMysqlBaseUrl } from './test-environment';

export function adminOptions(): mysql.ConnectionOptions {
  const url = parseDatabaseUrl(testMysqlBaseUrl(), process.cwd());
  if (url.dialect !== 'mysql') throw new Error('CELLCTL_TEST_MYSQL_URL must be a mysql URL');
  return { host: url.host, port: url.port, user: url.user, password: url.password, socketPath: url.socketPath, connectTimeout: 5000 };
}

/** A URL of the test server naming database `name`. */
export function mysqlUrlFor(name: string): string {
  return replaceDatabaseName(testMysqlBaseUrl(), name);
}

export async function withAdmin<T>(work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(adminOptions());
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Drops every database whose name starts with `prefix`. */
export async function dropDatabases(prefix: string): Promise<void> {
  await withAdmin(async (c) => {
    const [rows] = await c.query('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?', [`${prefix}%`]);
    for (const { name } of rows as Array<{ name: string }>) await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  });
}
