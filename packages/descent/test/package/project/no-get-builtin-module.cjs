// Preloaded (node --require) to run as on Node before 20.16, which lacks process.getBuiltinModule.
delete process.getBuiltinModule;
