#!/usr/bin/env node
console.log('kms-rotation-audit: under construction');
