import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg p-10">
      <p className="text-sm font-medium text-rose-700">403 · Not allowed</p>
      <h1 className="mt-2 text-2xl font-semibold">Your role cannot open this page</h1>
      <p className="mt-3 text-slate-600">
        Ask an admin if you need access. Everything your role can use is in the navigation.
      </p>
      <Link href="/" className="mt-6 inline-block text-indigo-700 underline">
        Back to the overview
      </Link>
    </main>
  );
}
