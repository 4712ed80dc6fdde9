// React picks its development or production build from NODE_ENV when it is first loaded; the
// development build is slower per frame and prints warnings into the screen. Interactive views are
// loaded through this so they get the production build; NODE_ENV is put back afterwards so that the
// demo processes started later do not inherit it.

export async function importProductionReact<T>(load: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV ??= 'production';
  try {
    return await load();
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
  }
}
