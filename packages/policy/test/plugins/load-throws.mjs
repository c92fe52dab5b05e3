// Fails while being imported.
throw new Error("cannot load");
