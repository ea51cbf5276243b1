'use strict';
class SummaryReporter { onRunComplete() {} }
module.exports = SummaryReporter;
