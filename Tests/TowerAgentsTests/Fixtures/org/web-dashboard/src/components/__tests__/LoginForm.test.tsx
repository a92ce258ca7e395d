import { render, screen } from "@testing-library/react";
import { LoginForm } from "../LoginForm";

test("renders the sign-in button", () => {
  render(<LoginForm onSignedIn={() => {}} />);
  expect(screen.getByText("Sign in")).toBeTruthy();
});
