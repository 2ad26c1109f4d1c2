/** Host preparation for the link: command builders and the opt-in SSH component. */
export * from "./inputs";
export * from "./windows";
export * from "./linux";
export * from "./reachability";
export * from "./component";
