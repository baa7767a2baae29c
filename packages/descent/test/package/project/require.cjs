const descent = require('descent');
const check = require('./check.cjs');

check(descent).then((result) => console.log(JSON.stringify(result)));
