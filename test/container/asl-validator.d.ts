/**
 * asl-validator 4 ships no type declarations: the part of its API this project calls
 * (node_modules/asl-validator/dist/src/validator.js, README "In your code").
 */
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: { 'Error code': string; Message: string }[];
    errorsText: (separator?: string) => string;
  }
  function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidationResult;
  export = aslValidator;
}
