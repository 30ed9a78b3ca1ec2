/** What `plan` prints in place of any secret value. */
export const SECRET_PLACEHOLDER = "[secret]";
